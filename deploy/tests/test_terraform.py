"""terraform/: every file parses (python-hcl2), the platform's settings hold in the parsed code, and checkov (in its
own virtualenv) finds nothing that is not skipped with a stated reason; each rule is shown catching its mistake."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import hcl2
import pytest

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = ROOT / "terraform"
ENVS = ("staging", "production")
MODULES = ("network", "eks", "rds", "redis", "mq", "s3", "iam")
SERVICES = ("auth", "core", "ai", "analytics")
OPTIONS = hcl2.SerializationOptions(with_comments=False, explicit_blocks=False, strip_string_quotes=True)
SKIP_COMMENT = re.compile(r"#\s*checkov:skip=(?P<id>[A-Z0-9_]+)(?::(?P<reason>.*))?")
EXACT_VERSION = re.compile(r"^\d+\.\d+\.\d+$")

sys.path.insert(0, str(ROOT / "deploy" / "checks"))
import checkov_venv  # noqa: E402

Parsed = dict[str, dict[str, Any]]
# A fresh clone installs checkov first (about 10 s with uv, minutes with pip on a busy machine).
pytestmark = pytest.mark.timeout(900)


def parse_all() -> Parsed:
    """Every .tf file under terraform/, keyed by its path relative to terraform/."""
    return {str(p.relative_to(TERRAFORM)): hcl2.load(p.open(), serialization_options=OPTIONS)
            for p in sorted(TERRAFORM.rglob("*.tf"))}


def blocks(parsed: Parsed, prefix: str, kind: str) -> dict[str, Any]:
    """`resource`/`data` blocks as {"type.name": body}, `module` blocks as {"name": body}, under a folder."""
    found: dict[str, Any] = {}
    for path, doc in parsed.items():
        if not path.startswith(prefix):
            continue
        for entry in doc.get(kind, []):
            for first, body in entry.items():
                if kind in ("resource", "data"):
                    for name, inner in body.items():
                        found[f"{first}.{name}"] = inner
                else:
                    found[first] = body
    return found


def first(block: Any) -> dict[str, Any]:
    return block[0] if isinstance(block, list) else block


def settings_problems(parsed: Parsed) -> list[str]:
    """The design's settings, read from the code as written."""
    problems = []
    for env in ENVS:
        state = parsed.get(f"envs/{env}/backend.tf", {})
        backend = next((first(t["backend"]) for t in state.get("terraform", []) if "backend" in t), {})
        s3 = backend.get("s3", {})
        if not (s3.get("encrypt") is True and (s3.get("use_lockfile") is True or s3.get("dynamodb_table"))):
            problems.append(f"envs/{env}: no encrypted, locked remote state backend")
        platform = blocks(parsed, f"envs/{env}/", "module").get("platform", {})
        if platform.get("source") != "../../modules/platform":
            problems.append(f"envs/{env}: does not use modules/platform")
        if platform.get("read_replicas") != 2:
            problems.append(f"envs/{env}: RDS has {platform.get('read_replicas')} read replicas, not 2")
        if len(set(platform.get("azs") or [])) != 3:
            problems.append(f"envs/{env}: the VPC does not span three zones")
    used = blocks(parsed, "modules/platform/", "module")
    for module in MODULES:
        if used.get(module, {}).get("source") != f"../{module}":
            problems.append(f"modules/platform does not use modules/{module}")
    if used.get("rds", {}).get("read_replicas") != "${var.read_replicas}":
        problems.append("modules/platform does not pass read_replicas to rds")

    for name, module in blocks(parsed, "modules/", "module").items():
        source = module.get("source", "")
        if not source.startswith(".") and not EXACT_VERSION.match(str(module.get("version", ""))):
            problems.append(f"module {name} ({source}) is not pinned to an exact version")

    resources = blocks(parsed, "modules/", "resource")
    primary = resources.get("aws_db_instance.primary", {})
    wanted = {"multi_az": True, "storage_encrypted": True, "backup_retention_period": 30, "publicly_accessible": False,
              "deletion_protection": True}
    for key, value in wanted.items():
        if primary.get(key) != value:
            problems.append(f"RDS primary: {key} is {primary.get(key)!r}, not {value!r}")
    if "kms" not in str(primary.get("kms_key_id")):
        problems.append("RDS primary is not encrypted with the module's KMS key")
    replica = resources.get("aws_db_instance.replica", {})
    if replica.get("count") != "${var.read_replicas}" or replica.get("storage_encrypted") is not True:
        problems.append("RDS read replicas are missing or unencrypted")
    copy_ = resources.get("aws_db_instance_automated_backups_replication.copy", {})
    if copy_.get("provider") != "${aws.backup_region}" or copy_.get("retention_period") != 30:
        problems.append("RDS backups are not copied to a second region for 30 days")

    redis = resources.get("aws_elasticache_replication_group.redis", {})
    for key in ("transit_encryption_enabled", "at_rest_encryption_enabled", "automatic_failover_enabled"):
        if redis.get(key) is not True:
            problems.append(f"Redis: {key} is not true")
    broker = resources.get("aws_mq_broker.rabbitmq", {})
    if broker.get("engine_type") != "RabbitMQ" or broker.get("publicly_accessible") is not False:
        problems.append("Amazon MQ is not a private RabbitMQ broker")

    buckets = [k.split(".", 1)[1] for k in resources if k.startswith("aws_s3_bucket.")]
    s3_locals = local_values(parsed, "modules/s3/")
    for bucket in buckets:
        sse = hardening(resources, s3_locals, "aws_s3_bucket_server_side_encryption_configuration", bucket)
        algorithm = str(first(first(sse.get("rule", [{}])).get("apply_server_side_encryption_by_default", [{}]))
                        .get("sse_algorithm"))
        if algorithm != "aws:kms":
            problems.append(f"bucket {bucket}: not encrypted with SSE-KMS")
        versioning = hardening(resources, s3_locals, "aws_s3_bucket_versioning", bucket)
        if first(versioning.get("versioning_configuration", [{}])).get("status") != "Enabled":
            problems.append(f"bucket {bucket}: versioning is not enabled")
        block = hardening(resources, s3_locals, "aws_s3_bucket_public_access_block", bucket)
        flags = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
        if not all(block.get(flag) is True for flag in flags):
            problems.append(f"bucket {bucket}: public access is not fully blocked")
    rules = first(resources.get("aws_s3_bucket_lifecycle_configuration.data", {})).get("rule", [])
    expiring = {first(r.get("filter", [{}])).get("prefix") for r in rules if r.get("expiration")}
    for prefix in ("core/exports/", "analytics/reports/"):
        if prefix not in expiring:
            problems.append(f"data bucket: objects under {prefix} never expire")

    policies = blocks(parsed, "modules/iam/", "data")
    objects = policies.get("aws_iam_policy_document.objects", {})
    for statement in objects.get("statement", []):
        for resource in statement.get("resources", []):
            if "bucket_arn" in resource and statement["actions"] != ["s3:ListBucket"] and \
                    not resource.endswith("/${each.value.prefix}*"):
                problems.append(f"a service's role reaches {resource}, beyond its own prefix")
        if "s3:ListBucket" in statement.get("actions", []):
            condition = first(statement.get("condition", [{}]))
            if condition.get("variable") != "s3:prefix":
                problems.append("a service's role may list the whole data bucket")
    prefixes = str(local_values(parsed, "modules/iam/").get("prefixes"))  # role -> its bucket and prefix
    if 'name => {bucket_arn = var.data_bucket_arn, prefix = "${name}/"' not in prefixes:
        problems.append("a service's role is not confined to its own prefix of the data bucket")
    if 'backup = {bucket_arn = var.backup_bucket_arn, prefix = "backups/"' not in prefixes:
        problems.append("the backup job's role is not confined to backups/ of the backup bucket")
    photos = policies.get("aws_iam_policy_document.read_food_photos", {})
    if [s.get("resources") for s in photos.get("statement", []) if "s3:GetObject" in s.get("actions", [])] != \
            [["${var.data_bucket_arn}/core/food-photos/*"]]:
        problems.append("ai's role cannot read (only read) the food photos core stores")
    iam_vars = blocks(parsed, "modules/iam/", "variable")
    if sorted(listed_default(iam_vars.get("services", {}))) != sorted(SERVICES):
        problems.append("modules/iam does not give every service (auth, core, ai, analytics) its own role")
    return problems


def local_values(parsed: Parsed, prefix: str) -> dict[str, Any]:
    """The `locals` of the files under a folder, by name."""
    return {name: value for path, doc in parsed.items() if path.startswith(prefix)
            for entry in doc.get("locals", []) for name, value in entry.items()}


def hardening(resources: dict[str, Any], locals_: dict[str, Any], kind: str, bucket: str) -> dict[str, Any]:
    """The `kind` resource that applies to `bucket`: one naming it (`bucket = aws_s3_bucket.<it>.id`), or one whose
    for_each is a local map holding it (`bucket = each.value.id`); {} when there is none."""
    for name, resource in resources.items():
        if not name.startswith(f"{kind}."):
            continue
        if resource.get("bucket") == f"${{aws_s3_bucket.{bucket}.id}}":
            return resource
        over = re.fullmatch(r"\$\{local\.(\w+)\}", str(resource.get("for_each", "")))
        each = locals_.get(over[1]) if over else None
        if resource.get("bucket") == "${each.value.id}" and isinstance(each, dict) and \
                each.get(bucket) == f"${{aws_s3_bucket.{bucket}}}":
            return resource
    return {}


def listed_default(variable: dict[str, Any]) -> list[str]:
    default = variable.get("default", [])
    return list(default) if isinstance(default, list) else []


def run_checkov(directory: Path) -> dict[str, Any]:
    checkov = checkov_venv.ensure_checkov()
    result = subprocess.run([str(checkov), "-d", str(directory), "--framework", "terraform", "--skip-download",
                             "--compact", "-o", "json"], capture_output=True, text=True, timeout=600, check=False)
    start = min((i for i in (result.stdout.find("{"), result.stdout.find("[")) if i >= 0), default=-1)
    assert start >= 0, f"checkov gave no report ({result.returncode}): {result.stdout[-2000:]}{result.stderr[-2000:]}"
    report = json.loads(result.stdout[start:])
    return report[0] if isinstance(report, list) else report


@pytest.fixture(scope="module")
def checkov_report() -> dict[str, Any]:
    return run_checkov(TERRAFORM)


# --- the code as written --------------------------------------------------------------------------------------

def test_every_terraform_file_parses() -> None:
    parsed = parse_all()
    for env in ENVS:
        for name in ("main.tf", "backend.tf", "versions.tf", "outputs.tf"):
            assert f"envs/{env}/{name}" in parsed
    for module in (*MODULES, "platform"):
        assert f"modules/{module}/main.tf" in parsed


def test_terraform_meets_the_platform_settings() -> None:
    assert settings_problems(parse_all()) == []


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not installed here")
def test_terraform_is_formatted() -> None:
    result = subprocess.run(["terraform", "fmt", "-recursive", "-check", str(TERRAFORM)], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, f"run `terraform fmt -recursive terraform`: {result.stdout}"


def test_checkov_finds_nothing_unexplained(checkov_report: dict[str, Any]) -> None:
    failed = [f"{c['check_id']} {c['check_name']} at {c['file_path']} {c['resource']}"
              for c in checkov_report["results"].get("failed_checks", [])]
    assert failed == [], failed
    assert checkov_report["summary"]["parsing_errors"] == 0
    assert checkov_report["summary"]["passed"] > 200
    skipped = checkov_report["results"].get("skipped_checks", [])
    assert all(c["check_result"].get("suppress_comment", "").strip() for c in skipped), "a skip without a reason"


def test_every_skip_comment_gives_a_reason() -> None:
    for path in TERRAFORM.rglob("*.tf"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            match = SKIP_COMMENT.search(line)
            if match:
                assert len((match["reason"] or "").strip()) > 15, f"{path}:{number}: skip {match['id']} says why?"


# --- each rule catches its mistake ------------------------------------------------------------------------------

def _resource(parsed: Parsed, module: str, kind: str, name: str) -> dict[str, Any]:
    for entry in parsed[f"modules/{module}/main.tf"]["resource"]:
        if kind in entry and name in entry[kind]:
            return entry[kind][name]
    raise KeyError(f"{kind}.{name}")


def _replace_in_local(parsed: Parsed, module: str, name: str, old: str, new: str) -> None:
    entry = parsed[f"modules/{module}/main.tf"]["locals"][0]
    assert old in entry[name]
    entry[name] = entry[name].replace(old, new)


@pytest.mark.parametrize(("break_it", "expected"), [
    (lambda p: _resource(p, "rds", "aws_db_instance", "primary").update(storage_encrypted=False),
     "RDS primary: storage_encrypted is False"),
    (lambda p: _resource(p, "rds", "aws_db_instance", "primary").update(multi_az=False), "RDS primary: multi_az"),
    (lambda p: _resource(p, "rds", "aws_db_instance", "primary").update(backup_retention_period=7),
     "backup_retention_period is 7, not 30"),
    (lambda p: _resource(p, "redis", "aws_elasticache_replication_group", "redis")
     .update(transit_encryption_enabled=False), "Redis: transit_encryption_enabled"),
    (lambda p: _resource(p, "s3", "aws_s3_bucket_server_side_encryption_configuration", "bucket")["rule"][0]
     ["apply_server_side_encryption_by_default"][0].update(sse_algorithm="AES256"),
     "bucket data: not encrypted with SSE-KMS"),
    (lambda p: _resource(p, "s3", "aws_s3_bucket_public_access_block", "bucket").update(block_public_policy=False),
     "bucket backups: public access is not fully blocked"),
    (lambda p: p["modules/s3/main.tf"]["locals"][0]["buckets"].pop("logs"),  # a bucket the hardening misses
     "bucket logs: versioning is not enabled"),
    (lambda p: _resource(p, "s3", "aws_s3_bucket_lifecycle_configuration", "data")["rule"].pop(0),
     "objects under core/exports/ never expire"),
    (lambda p: p["envs/production/backend.tf"]["terraform"][0]["backend"][0]["s3"].update(encrypt=False),
     "envs/production: no encrypted, locked remote state backend"),
    (lambda p: p["modules/network/main.tf"]["module"][0]["vpc"].update(version="~> 5.0"), "is not pinned"),
    (lambda p: p["envs/staging/main.tf"]["module"][0]["platform"].update(azs=["eu-west-1a"]),
     "envs/staging: the VPC does not span three zones"),
    (lambda p: next(e for e in p["modules/iam/main.tf"]["data"] if "objects" in e.get("aws_iam_policy_document", {}))
     ["aws_iam_policy_document"]["objects"]["statement"][0].update(resources=["${var.data_bucket_arn}/*"]),
     "beyond its own prefix"),
    (lambda p: _replace_in_local(p, "iam", "prefixes", 'prefix = "${name}/"', 'prefix = ""'),
     "not confined to its own prefix of the data bucket"),
    (lambda p: _replace_in_local(p, "iam", "prefixes", "var.backup_bucket_arn", "var.data_bucket_arn"),
     "the backup job's role is not confined to backups/ of the backup bucket"),
    (lambda p: next(e for e in p["modules/iam/main.tf"]["data"]
                    if "read_food_photos" in e.get("aws_iam_policy_document", {}))
     ["aws_iam_policy_document"]["read_food_photos"]["statement"][0].update(resources=["${var.data_bucket_arn}/*"]),
     "ai's role cannot read (only read) the food photos"),
])
def test_a_broken_setting_is_caught(break_it: Any, expected: str) -> None:
    parsed = copy.deepcopy(parse_all())
    break_it(parsed)
    problems = settings_problems(parsed)
    assert any(expected in p for p in problems), problems


def test_checkov_catches_an_unencrypted_bucket_and_database(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text("""
resource "aws_s3_bucket" "open" {
  bucket = "fitjourney-careless"
}

resource "aws_db_instance" "plain" {
  identifier          = "careless"
  engine              = "postgres"
  instance_class      = "db.t4g.micro"
  allocated_storage   = 20
  storage_encrypted   = false
  publicly_accessible = true
}
""")
    failed = {c["check_id"] for c in run_checkov(tmp_path)["results"].get("failed_checks", [])}
    assert {"CKV_AWS_145", "CKV2_AWS_6", "CKV_AWS_21"} <= failed  # bucket: no SSE-KMS, no public block, no versions
    assert {"CKV_AWS_16", "CKV_AWS_17", "CKV_AWS_157"} <= failed  # database: unencrypted, public, single zone
