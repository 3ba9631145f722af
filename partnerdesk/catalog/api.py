from __future__ import annotations

from ninja import Router

from partnerdesk.catalog import selectors
from partnerdesk.catalog.schemas import ProductOut, render_product
from partnerdesk.core.api.schemas import ERRORS, Page

router = Router(tags=["products"])


@router.get("/products", response={200: Page[ProductOut], **ERRORS}, summary="List products and their plans")
def list_products(request):
    # The catalog is small and the same for everyone: one page, no cursor.
    return {"data": [render_product(product) for product in selectors.product_list()], "has_more": False}
