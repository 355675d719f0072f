"""HTTP routers: every module here defines `router` (an APIRouter) and is picked up by service.app."""
