"""领航级 cultivation (培育) and acceptance (验收): the record, its workflow and the sweeper."""
