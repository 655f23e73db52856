from .versions import DesignVersion, ReviewAssignment, ReviewDecision, ReviewRequest

__all__ = ["DesignVersion", "ReviewAssignment", "ReviewDecision", "ReviewRequest"]
