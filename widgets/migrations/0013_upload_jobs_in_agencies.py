# The queued service inventory imports become agencies.UploadJob, the one job of every
# upload the background worker saves (agencies.jobs, docs/adr/0004).

from django.db import migrations

INVENTORY_PAGE = "/widgets/inventory/import/"
# A job not finished when this runs was queued for a task that no longer exists.
NOT_RUN = (
    "The application was updated before this import finished, and nothing was saved. "
    "Run it again."
)


def copy_jobs(apps, schema_editor):
    InventoryImportJob = apps.get_model("widgets", "InventoryImportJob")
    UploadJob = apps.get_model("agencies", "UploadJob")
    for old in InventoryImportJob.objects.order_by("pk"):
        finished = old.status in ("done", "failed")
        job = UploadJob.objects.create(
            started_by_id=old.started_by_id,
            path=INVENTORY_PAGE,
            title="Import a service inventory",
            success_url="/widgets/?status=draft",
            files=old.files,
            options=old.options,
            filenames=old.filenames,
            status=old.status if finished else "failed",
            rows_read=old.rows_read,
            rows_total=old.rows_total,
            attempts=old.attempts,
            message=old.message if finished else NOT_RUN,
            result={} if finished else {"retry": True},
            task_id=old.task_id,
        )
        # The times they were made and last moved, not this migration's.
        UploadJob.objects.filter(pk=job.pk).update(
            created_at=old.created_at, updated_at=old.updated_at
        )


class Migration(migrations.Migration):

    dependencies = [
        ('widgets', '0012_widget_not_applicable'),
        ('agencies', '0004_background_jobs'),
    ]

    operations = [
        migrations.RunPython(copy_jobs, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='InventoryImportJob',
        ),
    ]
