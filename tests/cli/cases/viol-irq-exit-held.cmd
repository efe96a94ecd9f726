data/viol-irq-exit-held.jsonl
