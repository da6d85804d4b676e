# IAM roles for service accounts (IRSA): each service's Kubernetes ServiceAccount may assume only its own role,
# and that role reaches only the service's own prefix of the data bucket (and its KMS key). The backup job's
# role reaches only the backup bucket's backups/ prefix.
locals {
  # service -> object-store prefix (the chart's services.<name>.objectStorePrefix)
  prefixes = { for name in var.services : name => "${name}/" }
}

data "aws_iam_policy_document" "trust" {
  for_each = toset(concat(var.services, ["backup"]))
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${var.oidc_provider}:sub"
      values   = ["system:serviceaccount:${var.namespace}:${each.key == "backup" ? "${var.release}-backup" : each.key}"]
    }
    condition {
      test     = "StringEquals"
      variable = "${var.oidc_provider}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "service" {
  for_each           = toset(concat(var.services, ["backup"]))
  name               = "${var.name}-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.trust[each.key].json
  tags               = var.tags
}

data "aws_iam_policy_document" "objects" {
  for_each = local.prefixes
  statement {
    sid       = "OwnPrefixObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = ["${var.data_bucket_arn}/${each.value}*"]
  }
  statement {
    sid       = "ListOwnPrefix"
    actions   = ["s3:ListBucket"]
    resources = [var.data_bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = [each.value, "${each.value}*"]
    }
  }
  statement {
    sid       = "UseTheBucketKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.s3_kms_key_arn]
  }
}

# ai classifies the food photos core stores: it may read them (and nothing else of core's).
data "aws_iam_policy_document" "read_food_photos" {
  statement {
    sid       = "ReadCoresFoodPhotos"
    actions   = ["s3:GetObject"]
    resources = ["${var.data_bucket_arn}/core/food-photos/*"]
  }
  statement {
    sid       = "UseTheBucketKey"
    actions   = ["kms:Decrypt"]
    resources = [var.s3_kms_key_arn]
  }
}

data "aws_iam_policy_document" "backup" {
  statement {
    sid       = "BackupObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = ["${var.backup_bucket_arn}/backups/*"]
  }
  statement {
    sid       = "ListBackups"
    actions   = ["s3:ListBucket"]
    resources = [var.backup_bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["backups/", "backups/*"]
    }
  }
  statement {
    sid       = "UseTheBucketKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.s3_kms_key_arn]
  }
}

resource "aws_iam_role_policy" "objects" {
  for_each = local.prefixes
  name     = "own-objects"
  role     = aws_iam_role.service[each.key].id
  policy   = data.aws_iam_policy_document.objects[each.key].json
}

resource "aws_iam_role_policy" "read_food_photos" {
  for_each = toset([for name in var.services : name if name == "ai"])
  name     = "read-food-photos"
  role     = aws_iam_role.service[each.key].id
  policy   = data.aws_iam_policy_document.read_food_photos.json
}

resource "aws_iam_role_policy" "backup" {
  name   = "backups"
  role   = aws_iam_role.service["backup"].id
  policy = data.aws_iam_policy_document.backup.json
}
