// SPDX-License-Identifier: GPL-2.0
/*
 * The shared maps, defined once (maps.bpf.h says who uses each). The Makefile
 * links this object first.
 */
#include "eci.bpf.h"

eci_containers_t containers SEC(".maps");
eci_event_budget_t event_budget SEC(".maps");
eci_dev_rules_t dev_rules SEC(".maps");
eci_hook_stats_t hook_stats SEC(".maps");
eci_state_t state SEC(".maps");
eci_events_t events SEC(".maps");
eci_container_stats_t container_stats SEC(".maps");
eci_config_t global_config SEC(".maps");
eci_bind_allow_t bind_allow SEC(".maps");
eci_socket_paths_t engine_socket_paths SEC(".maps");
eci_sockets_t engine_sockets SEC(".maps");
eci_bind_templates_t bind_templates SEC(".maps");
eci_initial_mounts_t initial_mounts SEC(".maps");
eci_initial_roots_t initial_roots SEC(".maps");
eci_sb_owner_t sb_owner SEC(".maps");
eci_net_target_t net_target SEC(".maps");
eci_key_count_t key_count SEC(".maps");
eci_autoload_allow_t autoload_allow SEC(".maps");
