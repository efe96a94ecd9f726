data/viol-hardirq-irqs-enabled.jsonl
