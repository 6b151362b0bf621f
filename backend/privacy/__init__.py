"""Privacy requests (GDPR, UK GDPR, CCPA): a customer's data as one JSON document
(`export.py`), and the erasure of their account (`erasure.py`), each asked for by the
customer on their account page or by an administrator for them. Above every domain it
reads: each domain takes its own rows out (`<domain>/erasure.py`), in one transaction."""
