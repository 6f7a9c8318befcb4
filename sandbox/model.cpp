#include "model.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>

namespace smartq::sandbox {

std::string field_name(Id field_id) {
    // Appending, not "f" + ...: g++ 12 -O2 warns falsely (-Wrestrict) on the latter.
    std::string name = "f";
    name += std::to_string(field_id);
    return name;
}

namespace {

template <class T>
void erase_id(std::vector<T>& ids, T id) {
    ids.erase(std::remove(ids.begin(), ids.end(), id), ids.end());
}

std::uint64_t splitmix64(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

// Ordering keys of the ticket list's orderCol values; ties fall back to id.
bool ticket_before(const Ticket& a, const Ticket& b, const std::string& col) {
    auto by = [&](const auto& x, const auto& y) { return x != y ? x < y : a.id < b.id; };
    if (col == "update_time")
        return by(a.update_time, b.update_time);
    if (col == "move_time")
        return by(a.move_time, b.move_time);
    if (col == "title")
        return by(a.name, b.name);
    if (col == "pos")
        return by(a.pos, b.pos);
    if (col == "deadline_date")
        return by(a.deadline, b.deadline);  // no deadline sorts first
    return by(a.insert_time, b.insert_time);
}

}  // namespace

const std::vector<Id>& Model::sorted_tickets(const Project& project, const std::string& order_col) {
    SortedCache& cache = sorted_[{project.id, order_col}];
    if (cache.generation != generation) {
        cache.ids = project.tickets;
        std::sort(cache.ids.begin(), cache.ids.end(), [&](Id a, Id b) {
            return ticket_before(*tickets.find(a), *tickets.find(b), order_col);
        });
        cache.generation = generation;
    }
    return cache.ids;
}

void Model::touch(Ticket& ticket) {
    ticket.update_time = clock();
    ++generation;
}

void Model::delete_project(Id id) {
    Project* project = projects.find(id);
    if (!project)
        return;
    // Copies: the deletions below edit these lists.
    for (Id t : std::vector<Id>(project->tickets))
        delete_ticket(t);
    for (Id f : std::vector<Id>(project->fields))
        delete_field(f);
    for (Id s : project->steps)
        steps.erase(s);
    for (Id r : project->roles)
        roles.erase(r);
    projects.erase(id);
    ++generation;
}

void Model::delete_role(Id id) {
    const Role* role = roles.find(id);
    if (!role)
        return;
    Project* project = projects.find(role->project_id);
    if (project->default_role_id == id)
        throw ApiError(400, "The default role of a project cannot be deleted");
    erase_id(project->roles, id);
    roles.erase(id);
    ++generation;
}

void Model::delete_step(Id id) {
    const Step* step = steps.find(id);
    if (!step)
        return;
    Project* project = projects.find(step->project_id);
    for (Id t : project->tickets)
        if (tickets.find(t)->step_id == id)
            throw ApiError(400, "Step " + std::to_string(id) +
                                    " still holds tickets; move them to another step first");
    for (Id r : project->roles) {
        Role* role = roles.find(r);
        if (role->max_step == id)
            role->max_step.reset();
    }
    erase_id(project->steps, id);
    steps.erase(id);
    ++generation;
}

void Model::delete_field(Id id) {
    const CustomField* field = fields.find(id);
    if (!field)
        return;
    Project* project = projects.find(field->project_id);
    for (Id t : project->tickets) {
        Ticket& ticket = *tickets.find(t);
        auto gone = std::remove_if(ticket.fields.begin(), ticket.fields.end(),
                                   [&](const TicketField& tf) { return tf.field_id == id; });
        if (gone != ticket.fields.end()) {
            ticket.fields.erase(gone, ticket.fields.end());
            touch(ticket);
        }
    }
    for (Id v : field->values)
        values.erase(v);
    erase_id(project->fields, id);
    fields.erase(id);
    ++generation;
}

void Model::delete_value(Id id) {
    const FieldValue* value = values.find(id);
    if (!value)
        return;
    CustomField& field = *fields.find(value->field_id);
    for (Id t : projects.find(field.project_id)->tickets) {
        Ticket& ticket = *tickets.find(t);
        for (auto& tf : ticket.fields) {
            auto* ids = std::get_if<std::vector<Id>>(&tf.data);
            if (tf.field_id == field.id && ids &&
                std::find(ids->begin(), ids->end(), id) != ids->end()) {
                erase_id(*ids, id);
                touch(ticket);
            }
        }
    }
    erase_id(field.values, id);
    values.erase(id);
    ++generation;
}

void Model::delete_ticket(Id id) {
    Ticket* ticket = tickets.find(id);
    if (!ticket)
        return;
    for (Id n : ticket->notes) {
        for (Id f : notes.find(n)->files)
            files.erase(f);
        notes.erase(n);
    }
    for (Id t : ticket->tasks)
        tasks.erase(t);
    erase_id(projects.find(ticket->project_id)->tickets, id);
    tickets.erase(id);
    ++generation;
}

void Model::delete_note(Id id) {
    Note* note = notes.find(id);
    if (!note)
        return;
    Ticket& ticket = *tickets.find(note->ticket_id);
    // Replies are deleted with their parent: a thread never points at a gone note.
    std::vector<Id> doomed{id};
    for (std::size_t i = 0; i < doomed.size(); ++i)
        for (Id n : ticket.notes)
            if (notes.find(n)->parent_id == doomed[i])
                doomed.push_back(n);
    for (Id n : doomed) {
        for (Id f : notes.find(n)->files)
            files.erase(f);
        notes.erase(n);
        erase_id(ticket.notes, n);
    }
    touch(ticket);
}

void Model::delete_task(Id id) {
    const Task* task = tasks.find(id);
    if (!task)
        return;
    Ticket& ticket = *tickets.find(task->ticket_id);
    erase_id(ticket.tasks, id);
    tasks.erase(id);
    touch(ticket);
}

void Model::delete_file(Id id) {
    const File* file = files.find(id);
    if (!file)
        return;
    erase_id(notes.find(file->note_id)->files, id);
    Ticket& ticket = *tickets.find(file->ticket_id);
    files.erase(id);
    sha_cache_.erase(id);
    touch(ticket);
}

void Model::delete_user(Id id) {
    if (!users.find(id))
        return;
    tickets.for_each([&](Ticket& ticket) {
        if (std::find(ticket.assigned_to.begin(), ticket.assigned_to.end(), id) !=
            ticket.assigned_to.end()) {
            erase_id(ticket.assigned_to, id);
            touch(ticket);
        }
    });
    users.erase(id);
    ++generation;
}

std::size_t Model::read_body(const File& file, std::uint64_t offset, char* buf,
                             std::size_t len) const {
    if (offset >= file.size)
        return 0;
    const std::size_t n =
        static_cast<std::size_t>(std::min<std::uint64_t>(len, file.size - offset));
    if (file.uploaded) {
        std::memcpy(buf, file.uploaded->data() + offset, n);
        return n;
    }
    // Byte i is byte (i % 8) of splitmix64(key + i / 8): random access, no storage.
    const std::uint64_t key = splitmix64(seed ^ (static_cast<std::uint64_t>(file.id) << 20));
    for (std::size_t i = 0; i < n;) {
        const std::uint64_t pos = offset + i;
        const std::uint64_t word = splitmix64(key + pos / 8);
        for (unsigned b = pos % 8; b < 8 && i < n; ++b, ++i)
            buf[i] = static_cast<char>((word >> (8 * b)) & 0xff);
    }
    return n;
}

std::string Model::body_sha256(const File& file) const {
    if (auto hit = sha_cache_.find(file.id); hit != sha_cache_.end())
        return hit->second;
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("OpenSSL could not start a SHA-256 digest");
    std::array<char, 65536> chunk;
    for (std::uint64_t offset = 0;;) {
        const std::size_t n = read_body(file, offset, chunk.data(), chunk.size());
        if (n == 0)
            break;
        EVP_DigestUpdate(ctx.get(), chunk.data(), n);
        offset += n;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    EVP_DigestFinal_ex(ctx.get(), digest, &digest_len);
    static constexpr char hex[] = "0123456789abcdef";
    std::string text;
    for (unsigned i = 0; i < digest_len; ++i) {
        text += hex[digest[i] >> 4];
        text += hex[digest[i] & 15];
    }
    return sha_cache_[file.id] = text;
}

}  // namespace smartq::sandbox
