"""Board review moves out of ``investigations`` into its own app, ``board``, without touching data.

The models keep their tables (``db_table`` names the old ones), so this migration only tells
Django's state that ``board`` now owns them (``SeparateDatabaseAndState``), renames their content
types so permissions and admin history stay attached, and creates the one new table:
``SubpoenaAuthorization``, the link from a subpoena to the board vote that authorized it, filled
from ``investigations_subpoena.authorizing_vote_id`` before ``investigations`` 0004 drops that
column.
"""

import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models



MOVED = [
    "boardmembership",
    "boardmeeting",
    "recusal",
    "vote",
    "voteproposal",
    "boarddecision",
    "decisionfinding",
    "departmentresponse",
    "subpoenavote",
    "historicalboardmembership",
    "historicalboardmeeting",
    "historicaldepartmentresponse",
]


def move_content_types(apps, schema_editor, source="investigations", target="board"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED:
        if ContentType.objects.using(db).filter(app_label=target, model=model).exists():
            continue
        ContentType.objects.using(db).filter(app_label=source, model=model).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="board", target="investigations")


def copy_authorizations(apps, schema_editor):
    Subpoena = apps.get_model("investigations", "Subpoena")
    SubpoenaAuthorization = apps.get_model("board", "SubpoenaAuthorization")
    db = schema_editor.connection.alias
    rows = (
        Subpoena.objects.using(db)
        .filter(authorizing_vote__isnull=False)
        .values_list("pk", "authorizing_vote_id", "authorized_by_id", "authorized_at")
    )
    SubpoenaAuthorization.objects.using(db).bulk_create(
        SubpoenaAuthorization(subpoena_id=pk, vote_id=vote, recorded_by_id=by, created_at=at)
        for pk, vote, by, at in rows.iterator()
    )


def copy_authorizations_back(apps, schema_editor):
    Subpoena = apps.get_model("investigations", "Subpoena")
    SubpoenaAuthorization = apps.get_model("board", "SubpoenaAuthorization")
    db = schema_editor.connection.alias
    for subpoena_id, vote_id in SubpoenaAuthorization.objects.using(db).values_list("subpoena_id", "vote_id"):
        Subpoena.objects.using(db).filter(pk=subpoena_id).update(authorizing_vote_id=vote_id)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("complaints", "0005_complaint_closure_reason_complaint_duplicate_of_and_more"),
        ("investigations", "0003_subpoena_votes_generated_documents"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='BoardDecision',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('adopt', 'Adopt the proposed findings'), ('modify', 'Modify the findings'), ('remand', 'Remand to investigation')], max_length=8, verbose_name='decision')),
                        ('instructions', models.TextField(blank=True, verbose_name='instructions or rationale')),
                        ('votes_counted', models.JSONField(default=dict, editable=False)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                        ('complaint', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='board_decisions', to='complaints.complaint')),
                        ('corrects', models.OneToOneField(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='corrected_by', to='board.boarddecision')),
                        ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'board decision',
                        'verbose_name_plural': 'board decisions',
                        'db_table': 'investigations_boarddecision',
                        'ordering': ['created_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='BoardMeeting',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('date', models.DateField(verbose_name='date')),
                        ('minutes', models.TextField(blank=True, verbose_name='minutes')),
                        ('agenda', models.ManyToManyField(blank=True, related_name='+', to='complaints.complaint', verbose_name='cases on the agenda')),
                        ('attendees', models.ManyToManyField(blank=True, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='attendance')),
                    ],
                    options={
                        'verbose_name': 'board meeting',
                        'verbose_name_plural': 'board meetings',
                        'db_table': 'investigations_boardmeeting',
                        'ordering': ['-date'],
                    },
                ),
                migrations.CreateModel(
                    name='BoardMembership',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('is_chair', models.BooleanField(default=False, verbose_name='chair')),
                        ('term_start', models.DateField(verbose_name='term starts')),
                        ('term_end', models.DateField(blank=True, null=True, verbose_name='term ends')),
                        ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='board_terms', to=settings.AUTH_USER_MODEL, verbose_name='member')),
                    ],
                    options={
                        'verbose_name': 'board membership',
                        'verbose_name_plural': 'board memberships',
                        'db_table': 'investigations_boardmembership',
                        'ordering': ['-is_chair', 'member__last_name'],
                    },
                ),
                migrations.CreateModel(
                    name='DepartmentResponse',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('due_date', models.DateField(verbose_name='response due')),
                        ('response', models.CharField(blank=True, choices=[('accepted', 'Accepted'), ('modified', 'Modified'), ('rejected', 'Rejected')], max_length=12, verbose_name='response')),
                        ('responded_on', models.DateField(blank=True, null=True, verbose_name='date of response')),
                        ('discipline_imposed', models.CharField(blank=True, max_length=200, verbose_name='discipline imposed')),
                        ('finding', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='department_response', to='investigations.finding')),
                        ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'department response',
                        'verbose_name_plural': 'department responses',
                        'db_table': 'investigations_departmentresponse',
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalBoardMeeting',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created')),
                        ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='updated')),
                        ('history_ip', models.GenericIPAddressField(blank=True, null=True, verbose_name='IP address')),
                        ('history_request_id', models.CharField(blank=True, max_length=64, verbose_name='request id')),
                        ('date', models.DateField(verbose_name='date')),
                        ('minutes', models.TextField(blank=True, verbose_name='minutes')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical board meeting',
                        'verbose_name_plural': 'historical board meetings',
                        'db_table': 'investigations_historicalboardmeeting',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalBoardMembership',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created')),
                        ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='updated')),
                        ('history_ip', models.GenericIPAddressField(blank=True, null=True, verbose_name='IP address')),
                        ('history_request_id', models.CharField(blank=True, max_length=64, verbose_name='request id')),
                        ('is_chair', models.BooleanField(default=False, verbose_name='chair')),
                        ('term_start', models.DateField(verbose_name='term starts')),
                        ('term_end', models.DateField(blank=True, null=True, verbose_name='term ends')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('member', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='member')),
                    ],
                    options={
                        'verbose_name': 'historical board membership',
                        'verbose_name_plural': 'historical board memberships',
                        'db_table': 'investigations_historicalboardmembership',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalDepartmentResponse',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created')),
                        ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='updated')),
                        ('history_ip', models.GenericIPAddressField(blank=True, null=True, verbose_name='IP address')),
                        ('history_request_id', models.CharField(blank=True, max_length=64, verbose_name='request id')),
                        ('due_date', models.DateField(verbose_name='response due')),
                        ('response', models.CharField(blank=True, choices=[('accepted', 'Accepted'), ('modified', 'Modified'), ('rejected', 'Rejected')], max_length=12, verbose_name='response')),
                        ('responded_on', models.DateField(blank=True, null=True, verbose_name='date of response')),
                        ('discipline_imposed', models.CharField(blank=True, max_length=200, verbose_name='discipline imposed')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('finding', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='investigations.finding')),
                        ('history_user', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('recorded_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical department response',
                        'verbose_name_plural': 'historical department responses',
                        'db_table': 'investigations_historicaldepartmentresponse',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='SubpoenaVote',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('votes_for', models.PositiveSmallIntegerField(verbose_name='in favour')),
                        ('votes_against', models.PositiveSmallIntegerField(verbose_name='against')),
                        ('abstentions', models.PositiveSmallIntegerField(default=0, verbose_name='abstentions')),
                        ('motion', models.TextField(blank=True, verbose_name='motion')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                        ('meeting', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='board.boardmeeting', verbose_name='meeting')),
                        ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('subpoena', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='board_votes', to='investigations.subpoena')),
                    ],
                    options={
                        'verbose_name': 'board vote on a subpoena',
                        'verbose_name_plural': 'board votes on subpoenas',
                        'db_table': 'investigations_subpoenavote',
                        'ordering': ['created_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='Vote',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('choice', models.CharField(choices=[('concur', 'Concur'), ('do_not_concur', 'Do not concur'), ('abstain', 'Abstain')], max_length=16, verbose_name='vote')),
                        ('comment', models.TextField(blank=True, verbose_name='comment')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                        ('complaint', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='votes', to='complaints.complaint')),
                        ('corrects', models.OneToOneField(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='corrected_by', to='board.vote')),
                        ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='votes', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'vote',
                        'verbose_name_plural': 'votes',
                        'db_table': 'investigations_vote',
                        'ordering': ['created_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='DecisionFinding',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('final_disposition', models.CharField(choices=[('sustained', 'Sustained'), ('not_sustained', 'Not sustained'), ('exonerated', 'Exonerated'), ('unfounded', 'Unfounded'), ('policy_failure', 'Policy failure'), ('officer_unidentified', 'Officer unidentified'), ('withdrawn', 'Withdrawn'), ('administratively_closed', 'Administratively closed')], max_length=24)),
                        ('rationale', models.TextField(blank=True)),
                        ('recommended_discipline', models.CharField(blank=True, max_length=32)),
                        ('decision', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='findings', to='board.boarddecision')),
                        ('finding', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='decisions', to='investigations.finding')),
                    ],
                    options={
                        'db_table': 'investigations_decisionfinding',
                        'constraints': [models.UniqueConstraint(fields=('decision', 'finding'), name='one_final_per_decision_finding')],
                    },
                ),
                migrations.CreateModel(
                    name='Recusal',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reason', models.TextField(verbose_name='reason')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                        ('complaint', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='recusals', to='complaints.complaint')),
                        ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='recusals', to=settings.AUTH_USER_MODEL)),
                        ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'recusal',
                        'verbose_name_plural': 'recusals',
                        'db_table': 'investigations_recusal',
                        'ordering': ['created_at'],
                        'constraints': [models.UniqueConstraint(fields=('complaint', 'member'), name='one_recusal_per_member_case')],
                    },
                ),
                migrations.CreateModel(
                    name='VoteProposal',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('disposition', models.CharField(choices=[('sustained', 'Sustained'), ('not_sustained', 'Not sustained'), ('exonerated', 'Exonerated'), ('unfounded', 'Unfounded'), ('policy_failure', 'Policy failure'), ('officer_unidentified', 'Officer unidentified'), ('withdrawn', 'Withdrawn'), ('administratively_closed', 'Administratively closed')], max_length=24)),
                        ('rationale', models.TextField()),
                        ('allegation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='complaints.allegation')),
                        ('vote', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='proposals', to='board.vote')),
                    ],
                    options={
                        'db_table': 'investigations_voteproposal',
                        'constraints': [models.UniqueConstraint(fields=('vote', 'allegation'), name='one_proposal_per_vote_allegation')],
                    },
                ),
            ],
        ),
        migrations.CreateModel(
            name='SubpoenaAuthorization',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('subpoena', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='board_authorization', to='investigations.subpoena')),
                ('vote', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='authorization', to='board.subpoenavote')),
            ],
            options={
                'verbose_name': 'board authorization of a subpoena',
                'verbose_name_plural': 'board authorizations of subpoenas',
            },
        ),
        migrations.RunPython(copy_authorizations, copy_authorizations_back),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
