"""Assemble applications the way Argo CD renders them with kustomize."""
