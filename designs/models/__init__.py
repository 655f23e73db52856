"""Domain models, one module per step; import from `designs.models`."""

from .api import ApiSettings, Endpoint, EndpointError
from .architecture import (
    ArchitectureStyle,
    Component,
    ComponentKind,
    DecisionAlternative,
    Interaction,
    TechnologyDecision,
)
from .base import ROLE_PERMISSIONS, Design, Element, Membership, Role, Section, Siblings
from .database import Column, DatabaseSettings, DataStore, Index, IndexColumn, Table
from .deployment import (
    Alert,
    DeploymentSettings,
    DeploymentUnit,
    Environment,
    HealthCheck,
    PipelineStage,
    Slo,
)
from .performance import BackgroundJob, CachePolicy, HotQuery, PerformanceBudget, PerformanceSettings
from .requirements import (
    ConsistencyNeed,
    ConstraintOrAssumption,
    FunctionalRequirement,
    LoadProfile,
    NonFunctionalRequirement,
    ProblemContext,
)
from .scalability import Bottleneck, DataScaling, RoadmapPhase, ScalingRule
from .security import (
    AuthFlowStep,
    AuthMethod,
    ComplianceRegime,
    PermissionGrant,
    SecurityRole,
    SecuritySettings,
    Threat,
)

__all__ = [
    "ROLE_PERMISSIONS", "Alert", "ApiSettings", "ArchitectureStyle", "AuthFlowStep", "AuthMethod",
    "BackgroundJob", "Bottleneck", "CachePolicy", "Column", "ComplianceRegime", "Component",
    "ComponentKind", "ConsistencyNeed", "ConstraintOrAssumption", "DataScaling", "DataStore",
    "DatabaseSettings", "DecisionAlternative", "DeploymentSettings", "DeploymentUnit", "Design",
    "Element", "Endpoint", "EndpointError", "Environment", "FunctionalRequirement", "HealthCheck",
    "HotQuery", "Index", "IndexColumn", "Interaction", "LoadProfile", "Membership",
    "NonFunctionalRequirement", "PerformanceBudget", "PerformanceSettings", "PermissionGrant",
    "PipelineStage", "ProblemContext", "Role", "RoadmapPhase", "ScalingRule", "Section",
    "SecurityRole", "SecuritySettings", "Siblings", "Slo", "Table", "TechnologyDecision", "Threat",
]
