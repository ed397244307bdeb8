"""Exact results and their certificates: counts (:mod:`.counting`), certificate writers (:mod:`.certificate`), the
audit that passes each one through the checker before it is reported (:mod:`.audit`), the deep-ResNet reports
(:mod:`.resnet`), the sign flow, work budgets and the vocabulary of claims."""
