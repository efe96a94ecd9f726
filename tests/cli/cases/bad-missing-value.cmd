data/wrap.jsonl --top
