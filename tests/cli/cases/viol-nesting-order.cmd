data/viol-nesting-order.jsonl
