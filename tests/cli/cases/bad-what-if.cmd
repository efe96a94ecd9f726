data/wrap.jsonl --what-if
