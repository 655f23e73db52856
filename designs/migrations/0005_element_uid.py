"""Every element gets a uid that survives edits; existing rows get a random one each."""

import uuid

from django.db import migrations, models

ELEMENTS = [
    "alert", "authflowstep", "authmethod", "backgroundjob", "bottleneck", "cachepolicy", "column",
    "complianceregime", "component", "consistencyneed", "constraintorassumption", "datascaling", "datastore",
    "decisionalternative", "deploymentunit", "endpoint", "endpointerror", "environment", "functionalrequirement",
    "healthcheck", "hotquery", "index", "interaction", "nonfunctionalrequirement", "performancebudget",
    "permissiongrant", "pipelinestage", "roadmapphase", "scalingrule", "securityrole", "slo", "table",
    "technologydecision", "threat",
]

operations = []
for name in ELEMENTS:
    operations += [
        # Nullable first: a Python default would give every existing row the same uuid.
        migrations.AddField(name, "uid", models.UUIDField(null=True, editable=False)),
        migrations.RunSQL(f'UPDATE "designs_{name}" SET uid = gen_random_uuid()', migrations.RunSQL.noop),
        migrations.AlterField(name, "uid", models.UUIDField(default=uuid.uuid4, editable=False)),
        migrations.AddConstraint(
            name, models.UniqueConstraint(fields=["design", "uid"], name=f"{name}_unique_uid_per_design")
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [("designs", "0004_friendlier_unique_messages")]
    operations = operations
