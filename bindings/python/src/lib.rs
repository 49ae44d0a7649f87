//! The pyo3 module behind the `localcare` Python package (work in progress).
