"""Build-time code: generators of the bundled offline world, run once; results are committed.

- `micro`: the micro base model's corpus, tokenizer and pretraining
  (`python -m helpers.build.micro ...`; writes data/models/micro-llama/).
- `tasks`: the instruction splits and card (`python -m helpers.build.tasks build`; data/instructions/).
- `domain`: the Nimbusly Q&A splits and card (`python -m helpers.build.domain build`; data/domain/).

Nothing a lesson notebook imports loads this package (tests/test_layout.py checks it). Builders
may import the learner library (helpers.tasks, helpers.domain, helpers.world, ...); never the
other way round.
"""
