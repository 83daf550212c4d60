"""工会年度工作统计与进度报告流水线 (trade-union annual progress pipeline)."""

__version__ = "0.1.0"
