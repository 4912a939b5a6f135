//! Layout of CRFs (filled and blank) from the study definition.
