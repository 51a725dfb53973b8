"""The WSGI entry point gunicorn loads in each worker."""

import gc
import importlib

import config.wsgi


def test_what_the_app_loaded_is_kept_out_of_the_collectors_passes():
    gc.unfreeze()
    try:
        importlib.reload(config.wsgi)  # what a worker runs once, at its start
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # the test process as it was
