"""Offline schema validation: core kinds from kubernetes-validate's bundled schemas, custom
resources from JSON Schema directories and CustomResourceDefinition manifests."""
