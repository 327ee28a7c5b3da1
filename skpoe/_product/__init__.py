"""The product-of-experts classifier, its weights and its contributions."""
