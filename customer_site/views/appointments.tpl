% rebase('layout')
<h1>My appointments</h1>
<p><a class="button primary" href="/book">Book a service</a></p>
<h2>Upcoming</h2>
% if upcoming:
<ul class="cards">
% for a in upcoming:
  <li class="card">
    <h3><a href="/appointments/{{a.id}}">{{local(a.start)}}</a></h3>
    <p>{{a.vehicle}}</p>
    <p class="meta">{{', '.join(s.name for s in a.services)}}</p>
    <p><span class="status">{{status[a.id]}}</span></p>
  </li>
% end
</ul>
% else:
<p>No upcoming appointment.</p>
% end
<h2>Past and cancelled</h2>
% if past:
<div class="table-scroll">
<table class="stack">
  <thead><tr><th scope="col">Date</th><th scope="col">Car</th><th scope="col">Services</th><th scope="col">Status</th></tr></thead>
  <tbody>
% for a in past:
    <tr>
      <td data-label="Date"><a href="/appointments/{{a.id}}">{{local(a.start, '%d %b %Y')}}</a></td>
      <td data-label="Car">{{a.vehicle}}</td>
      <td data-label="Services">{{', '.join(s.name for s in a.services)}}</td>
      <td data-label="Status">{{status[a.id]}}</td>
    </tr>
% end
  </tbody>
</table>
</div>
% else:
<p>No past or cancelled appointment.</p>
% end
