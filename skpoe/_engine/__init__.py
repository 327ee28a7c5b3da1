"""The modelling engine: columns, validation, presence, fitting, the product, out-of-fold fits."""
