from rest_framework.pagination import PageNumberPagination


class BoundedPageNumberPagination(PageNumberPagination):
    """Pages of 25 by default; a client may ask for up to 100, never more."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
