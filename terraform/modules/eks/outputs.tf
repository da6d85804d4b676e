output "cluster_name" {
  value = module.eks.cluster_name
}

output "cluster_endpoint" {
  value = module.eks.cluster_endpoint
}

output "oidc_provider_arn" {
  value = module.eks.oidc_provider_arn
}

output "oidc_provider" {
  description = "The OIDC issuer without https://, as IRSA trust policies name it"
  value       = module.eks.oidc_provider
}

output "node_security_group_id" {
  value = module.eks.node_security_group_id
}
