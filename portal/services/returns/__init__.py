"""The standard PRR return: Excel template, upload validation, rules, versions and workflow."""
