data/viol-local-across-migrate.jsonl
