#include <algorithm>
#include <mutex>
#include <set>

#include "common/base/strings.h"
#include "master/run.h"
#include "master/shipping.h"

namespace sipfleet::master {

absl::Status Run::Prepare() {
  // Roles and weights, then the plan (common/cluster/plan.h).
  std::vector<uint32_t> uas_weights;
  // The weights of the UAC agents present: late slots (spares) start empty
  // and get their -l/-users share when someone joins.
  std::vector<uint32_t> present_weights;
  AssignRoles(&uas_weights, &present_weights);
  const size_t present_uac =
      std::count_if(present_weights.begin(), present_weights.end(), [](uint32_t w) { return w > 0; });
  if (present_uac == 0) return absl::InvalidArgumentError("no UAC agent: every agent is in -uas_agents");
  if (absl::Status status = CheckAgentOptions(uac_); !status.ok()) return status;
  const uint32_t workers = sipp_.workers > 0 ? static_cast<uint32_t>(sipp_.workers) : 1;
  absl::StatusOr<std::vector<cluster::Stripe>> stripes = cluster::PlanStripes(uac_weights_, workers);
  if (!stripes.ok()) return stripes.status();
  stripes_ = *std::move(stripes);
  if (sipp_.users > 0 && sipp_.users < present_uac) {
    return absl::InvalidArgumentError(base::Cat("-users ", sipp_.users, ": fewer users than the ",
                                                present_uac, " UAC agents"));
  }
  rate_ = sipp_.rate;
  users_ = sipp_.users;
  // SIPp's default -l (3 x duration x rate) on the totals, then shared out.
  call_limit_ = sipp_.call_limit_given || sipp_.users > 0
                    ? sipp_.call_limit
                    : static_cast<uint64_t>(3.0 * sipp_.duration_ms / 1000.0 * sipp_.rate *
                                            1000.0 / sipp_.rate_period_ms);
  if (absl::Status status = PrepareUac(present_weights); !status.ok()) return status;
  if (absl::Status status = PrepareUas(uas_weights, workers); !status.ok()) return status;
  return WaitPrepared();
}

void Run::AssignRoles(std::vector<uint32_t>* uas_weights, std::vector<uint32_t>* present_weights) {
  std::lock_guard<std::mutex> lock(registry_.mutex());
  auto& agents = registry_.agents();
  for (size_t i = 0; i < agents.size(); ++i) {
    Agent& agent = *agents[i];
    if (agent.spare) {
      uac_.push_back(i);
      uac_weights_.push_back(1);
      present_weights->push_back(0);
      continue;
    }
    agent.uas = std::find(options_.uas_agents.begin(), options_.uas_agents.end(), agent.name) !=
                options_.uas_agents.end();
    for (const auto& [name, weight] : options_.weights) {
      if (name == agent.name) agent.weight = weight;
    }
    (agent.uas ? uas_ : uac_).push_back(i);
    (agent.uas ? *uas_weights : uac_weights_).push_back(agent.weight);
    if (!agent.uas) present_weights->push_back(agent.weight);
    agent.instance = InstanceOf(agent.name);
    if (std::find(instances_.begin(), instances_.end(), agent.instance) == instances_.end()) {
      instances_.push_back(agent.instance);
    }
  }
}

absl::Status Run::PrepareUac(const std::vector<uint32_t>& present_weights) {
  std::vector<uint64_t> limits = cluster::SplitByWeight(call_limit_, present_weights);
  // -users: the closed loop's users shared out by weight, each agent >= 1.
  std::vector<uint64_t> users = cluster::SplitByWeight(sipp_.users, present_weights);
  // CSV rows: each UAC agent gets its own users.
  std::vector<std::pair<std::string, std::string>> inf_texts;
  for (const std::string& path : sipp_.injection_files) {
    absl::StatusOr<std::string> text = ReadFile(path);
    if (!text.ok()) return text.status();
    inf_texts.emplace_back(path, *std::move(text));
  }
  const std::vector<std::string> uac_args = AgentArgs(options_.sipp_args);
  const std::string uac_hash = Sha256Hex(uac_scenario_.second);
  for (size_t k = 0; k < uac_.size(); ++k) {
    v1::MasterMessage message;
    v1::Prepare* prepare = message.mutable_prepare();
    prepare->set_epoch(1);
    prepare->set_scenario_name(uac_scenario_.first);
    prepare->set_scenario_xml(uac_scenario_.second);
    prepare->set_scenario_hash(uac_hash);
    for (const std::string& arg : uac_args) prepare->add_sipp_args(arg);
    const std::string name = AgentName(uac_[k]);
    for (const std::string& arg : ExtraArgs(name)) prepare->add_sipp_args(arg);
    if (limits[k] > 0) {
      prepare->add_sipp_args("-l");
      prepare->add_sipp_args(base::Cat(limits[k]));
    }
    if (users[k] > 0 || (sipp_.users > 0 && present_weights[k] == 0)) {
      // (A late slot starts with one user; SetUsers shares them out on join.)
      prepare->add_sipp_args("-users");
      prepare->add_sipp_args(base::Cat(std::max<uint64_t>(users[k], 1)));
      users_shares_[uac_[k]] = users[k];
    }
    for (const auto& [path, text] : inf_texts) {
      std::vector<cluster::RowRange> ranges =
          cluster::PartitionRows(cluster::CountCsvRows(text), uac_weights_);
      absl::StatusOr<std::string> shard = cluster::CsvShard(text, ranges[k]);
      if (!shard.ok()) return absl::InvalidArgumentError(base::Cat(path, ": ", shard.status().message()));
      v1::CsvFile* file = prepare->add_csv_files();
      file->set_name(path);
      file->set_content(*shard);
    }
    v1::ShardSpec* spec = prepare->mutable_shard();
    spec->set_role(v1::ROLE_UAC);
    Set3pcc(name, spec);
    spec->set_weight(uac_weights_[k]);
    spec->set_workers(stripes_[k].workers);
    spec->set_call_number_offset(stripes_[k].offset);
    spec->set_call_number_stride(stripes_[k].stride);
    prepare->set_stats_period_millis(static_cast<uint32_t>(options_.tick_ms));
    if (present_weights[k] == 0) {
      late_prepares_[uac_[k]] = std::move(message);  // sent when someone joins
    } else {
      registry_.Send(uac_[k], message);
    }
  }
  return absl::OkStatus();
}

absl::Status Run::PrepareUas(const std::vector<uint32_t>& uas_weights, uint32_t workers) {
  // UAS agents answer at the UAC's remote address, or each at its own
  // -uas_bind address (several UAS agents behind the SUT).
  const std::string remote = sipp_.remote_host_port.empty() ? "127.0.0.1:5060" : sipp_.remote_host_port;
  std::vector<std::string> binds;
  if (absl::Status status = UasBinds(uas_, remote, &binds); !status.ok()) return status;
  for (size_t k = 0; k < uas_.size(); ++k) {
    const size_t colon = binds[k].rfind(':');
    const std::string uas_ip = colon == std::string::npos ? binds[k] : binds[k].substr(0, colon);
    const std::string uas_port = colon == std::string::npos ? "5060" : binds[k].substr(colon + 1);
    v1::MasterMessage message;
    v1::Prepare* prepare = message.mutable_prepare();
    prepare->set_epoch(1);
    const std::string name = AgentName(uas_[k]);
    absl::StatusOr<std::pair<std::string, std::string>> own = UasScenarioOf(name);
    if (!own.ok()) return own.status();
    prepare->set_scenario_name(own->first);
    prepare->set_scenario_xml(own->second);
    prepare->set_scenario_hash(Sha256Hex(own->second));
    for (const char* arg : {"-i", uas_ip.c_str(), "-p", uas_port.c_str()}) prepare->add_sipp_args(arg);
    prepare->add_sipp_args("-workers");
    prepare->add_sipp_args(base::Cat(workers));
    for (const std::string& arg : TransportArgs(options_.sipp_args)) prepare->add_sipp_args(arg);
    for (const std::string& arg : options_.uas_args) prepare->add_sipp_args(arg);
    for (const std::string& arg : ExtraArgs(name)) prepare->add_sipp_args(arg);
    v1::ShardSpec* spec = prepare->mutable_shard();
    spec->set_role(v1::ROLE_UAS);
    Set3pcc(name, spec);
    spec->set_weight(uas_weights[k]);
    spec->set_workers(workers);
    prepare->set_stats_period_millis(static_cast<uint32_t>(options_.tick_ms));
    registry_.Send(uas_[k], message);
  }
  return absl::OkStatus();
}

absl::Status Run::WaitPrepared() {
  auto all_answered = [this] {
    for (const auto& agent : registry_.agents()) {
      if (!agent->spare && agent->prepare == Agent::Prepare::kWaiting && agent->connected) return false;
    }
    return true;
  };
  const bool answered = WaitAlive(all_answered, options_.prepare_wait_ms);
  if (!answered && interrupted_by_ != 0) return Interrupted("preparing the agents");
  std::lock_guard<std::mutex> lock(registry_.mutex());
  std::string errors;
  for (const auto& agent : registry_.agents()) {
    if (agent->spare) continue;  // late slots prepare when someone joins
    if (agent->prepare == Agent::Prepare::kFailed) {
      base::Append(&errors, errors.empty() ? "" : "\n", "agent '", agent->name,
                   "' failed to prepare: ", agent->prepare_error);
    } else if (agent->prepare == Agent::Prepare::kWaiting) {
      base::Append(&errors, errors.empty() ? "" : "\n", "agent '", agent->name, "' ",
                   answered ? "disconnected" : "did not answer", " while preparing");
    }
  }
  if (!errors.empty()) return absl::FailedPreconditionError(base::Cat(errors, "\nthe run did not start"));
  return absl::OkStatus();
}

absl::Status Run::UasBinds(const std::vector<size_t>& uas, const std::string& remote,
                           std::vector<std::string>* binds) {
  std::lock_guard<std::mutex> lock(registry_.mutex());
  auto& agents = registry_.agents();
  for (size_t k = 0; k < uas.size(); ++k) {
    std::string bind = remote;
    for (const auto& [name, address] : options_.uas_bind) {
      if (name == agents[uas[k]]->name) bind = address;
    }
    // One address can be bound once per host: the agents' peer hosts tell.
    for (size_t j = 0; j < k; ++j) {
      if ((*binds)[j] == bind && PeerHost(agents[uas[j]]->peer) == PeerHost(agents[uas[k]]->peer)) {
        return absl::InvalidArgumentError(
            base::Cat("UAS agents '", agents[uas[j]]->name, "' and '", agents[uas[k]]->name,
                      "' would both bind ", bind, " on one host: give each its own -uas_bind"));
      }
    }
    binds->push_back(bind);
  }
  return absl::OkStatus();
}

std::vector<std::string> Run::ExtraArgs(const std::string& name) const {
  std::vector<std::string> out;
  for (const auto& [agent, args] : options_.agent_args) {
    if (agent == name) out.insert(out.end(), args.begin(), args.end());
  }
  return out;
}

std::string Run::InstanceOf(const std::string& name) const {
  std::string instance = name;
  for (const auto& [agent, given] : options_.instances) {
    if (agent == name) instance = given;
  }
  return instance;
}

std::string Run::TwinOf(const std::string& name) const {
  for (const auto& [a, b] : options_.twins) {
    if (a == name) return InstanceOf(b);
    if (b == name) return InstanceOf(a);
  }
  return "";
}

absl::StatusOr<std::pair<std::string, std::string>> Run::UasScenarioOf(
    const std::string& name) const {
  for (const auto& [agent, file] : options_.agent_scenario_files) {
    if (agent == name) return ScenarioText(file, "");
  }
  for (const auto& [agent, builtin] : options_.agent_scenario_names) {
    if (agent == name) return ScenarioText("", builtin);
  }
  return uas_scenario_;
}

absl::Status Run::CheckAgentOptions(const std::vector<size_t>& uac) {
  std::set<std::string> names, uac_names;
  {
    std::lock_guard<std::mutex> lock(registry_.mutex());
    auto& agents = registry_.agents();
    for (size_t i = 0; i < agents.size(); ++i) {
      if (!agents[i]->spare) names.insert(agents[i]->name);
    }
    for (size_t i : uac) {
      if (!agents[i]->spare) uac_names.insert(agents[i]->name);
    }
  }
  auto check = [&](std::string_view option, const std::string& name, bool uas_only) {
    if (!names.contains(name)) {
      return absl::InvalidArgumentError(base::Cat(option, ": no agent '", name, "' in the cluster"));
    }
    if (uas_only && uac_names.contains(name)) {
      return absl::InvalidArgumentError(base::Cat(
          option, ": '", name, "' is a UAC agent; UAC agents run the -sf/-sn scenario (one "
          "statistics layout): put it in -uas_agents or give its scenario with -sf"));
    }
    return absl::OkStatus();
  };
  for (const auto& [name, file] : options_.agent_scenario_files) {
    if (absl::Status status = check("-agent_sf", name, true); !status.ok()) return status;
    if (absl::StatusOr<std::pair<std::string, std::string>> text = ScenarioText(file, "");
        !text.ok()) {
      return absl::InvalidArgumentError(base::Cat("-agent_sf ", name, "=", file, ": ",
                                                  base::FromAbsl(text.status().message())));
    }
  }
  for (const auto& [name, builtin] : options_.agent_scenario_names) {
    if (absl::Status status = check("-agent_sn", name, true); !status.ok()) return status;
    if (absl::StatusOr<std::pair<std::string, std::string>> text = ScenarioText("", builtin);
        !text.ok()) {
      return absl::InvalidArgumentError(base::Cat("-agent_sn ", name, "=", builtin, ": ",
                                                  base::FromAbsl(text.status().message())));
    }
  }
  for (const auto& [name, args] : options_.agent_args) {
    if (absl::Status status = check("-agent_args", name, false); !status.ok()) return status;
  }
  for (const auto& [name, instance] : options_.instances) {
    if (absl::Status status = check("-instances", name, false); !status.ok()) return status;
  }
  for (const auto& [a, b] : options_.twins) {
    if (absl::Status status = check("-twins", a, false); !status.ok()) return status;
    if (absl::Status status = check("-twins", b, false); !status.ok()) return status;
  }
  return absl::OkStatus();
}

void Run::Set3pcc(const std::string& name, v1::ShardSpec* spec) const {
  spec->set_instance_name(InstanceOf(name));
  spec->set_twin_instance(TwinOf(name));
  for (const std::string& instance : instances_) spec->add_instances(instance);
}

std::string Run::AgentName(size_t index) {
  std::lock_guard<std::mutex> lock(registry_.mutex());
  return registry_.agents()[index]->name;
}

}  // namespace sipfleet::master
