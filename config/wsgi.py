import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# What is loaded by now (Django, the apps, their templates and URLs) lives as long
# as the worker: moved out of the garbage collector's reach, so that its full
# collections (every few hundred requests) no longer walk it. On the benchmark's
# dashboard one such pass took 130-155 ms, in the middle of a request; after
# gc.freeze() the longest took 2 ms (docs/performance.md).
gc.freeze()
