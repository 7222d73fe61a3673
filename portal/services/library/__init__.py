"""The knowledge library: case studies, action plans, their files and history, and search."""
