"""揭榜单位 (智能制造示范工厂揭榜单位) that passed local acceptance: a registry with sources."""
