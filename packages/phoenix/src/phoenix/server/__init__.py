"""`phoenix server`: the REST API over pipelines, deployments, experiments, load simulation."""
