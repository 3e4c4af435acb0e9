"""Forwarding shim: the micro-model builder moved to `helpers.build.micro` (issue 17).

Kept only so the commands recorded in data/models/micro-llama/pretrain_metrics.json
(`python -m helpers.micro pretrain ...`) still run as written. Import `helpers.build.micro`.
"""
