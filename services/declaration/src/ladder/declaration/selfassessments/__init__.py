"""基础级 self-assessments (自评自建): the enterprise's short form, the provinces' import."""
