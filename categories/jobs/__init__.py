"""Moving logged time between categories as durable background jobs (app label "jobs").

A job is planned into a per-entry journal before anything is written, then run by a
worker process (django-tasks' database queue), one `PUT /time_tracking_entries/{gid}`
per entry, resumable after a crash at any point.
"""
