"""What a request may do: authenticate, check the rules (registry), start and steer
workflows, read state. The JSON API (starter.api), the pages (starter.web) and the CLI call these;
none of them holds a rule of its own."""
