# IAM roles for service accounts (IRSA): each service's Kubernetes ServiceAccount may assume only its own role,
# and that role reaches only the service's own prefix of the data bucket (and its KMS key). The backup job's
# role reaches only the backup bucket's backups/ prefix.
locals {
  # role -> the one prefix of one bucket it may use: each service its own prefix of the data bucket (the chart's
  # services.<name>.objectStorePrefix), the backup job backups/ of the backup bucket.
  prefixes = merge(
    { for name in var.services : name => {
      bucket_arn  = var.data_bucket_arn, prefix = "${name}/", policy = "own-objects",
      objects_sid = "OwnPrefixObjects", list_sid = "ListOwnPrefix"
    } },
    { backup = {
      bucket_arn  = var.backup_bucket_arn, prefix = "backups/", policy = "backups",
      objects_sid = "BackupObjects", list_sid = "ListBackups"
    } },
  )
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
    sid       = each.value.objects_sid
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = ["${each.value.bucket_arn}/${each.value.prefix}*"]
  }
  statement {
    sid       = each.value.list_sid
    actions   = ["s3:ListBucket"]
    resources = [each.value.bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = [each.value.prefix, "${each.value.prefix}*"]
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

resource "aws_iam_role_policy" "objects" {
  for_each = local.prefixes
  name     = each.value.policy
  role     = aws_iam_role.service[each.key].id
  policy   = data.aws_iam_policy_document.objects[each.key].json
}

resource "aws_iam_role_policy" "read_food_photos" {
  for_each = toset([for name in var.services : name if name == "ai"])
  name     = "read-food-photos"
  role     = aws_iam_role.service[each.key].id
  policy   = data.aws_iam_policy_document.read_food_photos.json
}

# The backup job's policy was a resource of its own before it joined local.prefixes.
moved {
  from = aws_iam_role_policy.backup
  to   = aws_iam_role_policy.objects["backup"]
}
