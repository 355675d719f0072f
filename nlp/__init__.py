"""corisk NLP: readers, language handling, the extraction pipeline, contracts, training, evaluation."""
