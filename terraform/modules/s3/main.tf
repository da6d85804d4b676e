# The object store: a data bucket (per-service prefixes auth/, core/, ai/, analytics/), a backup bucket and an
# access-log bucket. Each SSE-KMS with the module's own key, versioned, all public access blocked, TLS required;
# the first two access-logged; export zips and reports expire (lifecycle), old backups and old versions too.
# The buckets and their lifecycles are written out one by one (each has its own skips and rules); the hardening
# they share is one resource of each kind over local.buckets. moved.tf keeps the addresses of applied states.
data "aws_caller_identity" "current" {}

module "kms" {
  source             = "../kms"
  name               = "${var.name}-s3"
  description        = "${var.name} object store"
  service_principals = ["logging.s3.amazonaws.com"]
  tags               = var.tags
}

locals {
  buckets = {
    data    = aws_s3_bucket.data
    backups = aws_s3_bucket.backups
    logs    = aws_s3_bucket.logs
  }
  # Access-logged into the logs bucket, each under its own prefix (the logs bucket itself is not: it would loop).
  logged = { for name, bucket in local.buckets : name => bucket if name != "logs" }
}

# --- data: the services' objects (per-service prefixes) ---
resource "aws_s3_bucket" "data" {
  #checkov:skip=CKV_AWS_144:Cross-region copies: RDS copies its own backups to a second region; the rest can be made again
  #checkov:skip=CKV2_AWS_62:No consumer of bucket event notifications (services publish their own events)
  bucket        = "${var.name}-data"
  force_destroy = false
  tags          = var.tags
}

# --- backups: database dumps ---
resource "aws_s3_bucket" "backups" {
  #checkov:skip=CKV_AWS_144:Cross-region copies: RDS copies its own backups to a second region; the rest can be made again
  #checkov:skip=CKV2_AWS_62:No consumer of bucket event notifications (services publish their own events)
  bucket        = "${var.name}-backups"
  force_destroy = false
  tags          = var.tags
}

# --- logs: access logs of the other two buckets ---
resource "aws_s3_bucket" "logs" {
  #checkov:skip=CKV_AWS_144:Cross-region copies: RDS copies its own backups to a second region; the rest can be made again
  #checkov:skip=CKV2_AWS_62:No consumer of bucket event notifications (services publish their own events)
  #checkov:skip=CKV_AWS_18:This is the access-log bucket; logging it into itself would loop
  bucket        = "${var.name}-access-logs"
  force_destroy = false
  tags          = var.tags
}

# --- the hardening every bucket gets ---
resource "aws_s3_bucket_ownership_controls" "bucket" {
  for_each = local.buckets
  bucket   = each.value.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "bucket" {
  for_each                = local.buckets
  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "bucket" {
  for_each = local.buckets
  bucket   = each.value.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "bucket" {
  for_each = local.buckets
  bucket   = each.value.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = module.kms.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_logging" "bucket" {
  for_each      = local.logged
  bucket        = each.value.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "${each.key}/"
}

data "aws_iam_policy_document" "bucket" {
  for_each = local.buckets
  statement {
    sid     = "DenyPlainHttp"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      each.value.arn,
      "${each.value.arn}/*",
    ]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
  # The logs bucket also takes the access logs S3 delivers (from this account only).
  dynamic "statement" {
    for_each = each.key == "logs" ? [each.value] : []
    content {
      sid       = "S3ServerAccessLogs"
      actions   = ["s3:PutObject"]
      resources = ["${statement.value.arn}/*"]
      principals {
        type        = "Service"
        identifiers = ["logging.s3.amazonaws.com"]
      }
      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [data.aws_caller_identity.current.account_id]
      }
    }
  }
}

resource "aws_s3_bucket_policy" "bucket" {
  for_each = local.buckets
  bucket   = each.value.id
  policy   = data.aws_iam_policy_document.bucket[each.key].json
}

# --- lifecycles ---
resource "aws_s3_bucket_lifecycle_configuration" "data" {
  bucket = aws_s3_bucket.data.id

  # GDPR export zips: their presigned links live minutes; the zip is kept a week at most.
  rule {
    id     = "expire-export-zips"
    status = "Enabled"
    filter {
      prefix = "core/exports/"
    }
    expiration {
      days = var.export_retention_days
    }
    noncurrent_version_expiration {
      noncurrent_days = 1
    }
  }

  # Generated analytics reports (CSV/PDF/PNG) can be made again.
  rule {
    id     = "expire-reports"
    status = "Enabled"
    filter {
      prefix = "analytics/reports/"
    }
    expiration {
      days = var.report_retention_days
    }
    noncurrent_version_expiration {
      noncurrent_days = 1
    }
  }

  rule {
    id     = "old-versions-and-uploads"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = 30
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "backups" {
  bucket = aws_s3_bucket.backups.id
  # pg_backup.py deletes dumps after 30 days itself; this is the backstop (and removes old versions).
  rule {
    id     = "expire-backups"
    status = "Enabled"
    filter {
      prefix = "backups/"
    }
    expiration {
      days = var.backup_retention_days + 5
    }
    noncurrent_version_expiration {
      noncurrent_days = 7
    }
  }
  rule {
    id     = "abort-uploads"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = 2
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id
  rule {
    id     = "expire-access-logs"
    status = "Enabled"
    filter {}
    expiration {
      days = 365
    }
    noncurrent_version_expiration {
      noncurrent_days = 7
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 2
    }
  }
}
