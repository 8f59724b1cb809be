"""Storage: SQLAlchemy tables, repositories, the unit of work and migrations."""

# Every table belongs to one metadata (migrations, tests and purges read it whole).
from storage import tenancy_models as _tenancy_models  # noqa: F401
