data/disagree.jsonl
