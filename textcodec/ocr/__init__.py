"""OCR: the engine protocol, the EasyOCR engine (imported lazily), word filtering, and the
frozen differentiable recognizer the training losses use. Importing this package imports
neither torch nor EasyOCR."""
