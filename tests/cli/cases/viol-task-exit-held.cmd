data/viol-task-exit-held.jsonl
