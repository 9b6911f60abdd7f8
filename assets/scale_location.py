"""The deployment profile's code location (deploy/workspace.yaml): the local one plus night_job_celery."""

from assets.scale import scale_defs

defs = scale_defs()
