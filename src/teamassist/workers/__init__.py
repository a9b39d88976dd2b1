"""Scale-out mode's process roles: the Celery app, its tasks (which call the same scheduler and
outbox code the embedded runner calls) and the nudges web replicas publish."""
