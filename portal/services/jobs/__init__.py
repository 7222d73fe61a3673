"""The portal's timed work: plain functions over the session, run by `flask --app wsgi
scheduler` (one process; see scheduler.py), by `flask --app wsgi jobs run NAME` and by the
admin page. Each run is a JobRun per (job, time slot); see runner.run."""
