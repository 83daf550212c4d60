"""The 工作总结: a draft from the run's figures (draft), and a written summary's figures checked (check)."""
