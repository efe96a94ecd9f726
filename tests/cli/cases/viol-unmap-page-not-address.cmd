data/viol-unmap-page-not-address.jsonl
