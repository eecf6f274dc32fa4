"""orders.placed_at: when the shop says the order was placed; NULL when its source gives no date (the Magento
sample's orders.csv has none). `created_at` stays the time the row was written, which is no order date: shown as
one, every imported order looked placed on the day of the import.

Upgrading copies nothing into placed_at: which existing created_at values came from a source date cannot be told
apart from import times, and re-importing the source fills in the dates it has.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders", recreate="never") as batch:
        batch.add_column(sa.Column("placed_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orders", recreate="never") as batch:
        batch.drop_column("placed_at")
