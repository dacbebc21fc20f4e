% rebase('layout')
<h1>My cars</h1>
% if cars:
<ul class="cards">
% for car in cars:
  <li class="card">
    <h2 class="h3">{{car.make}} {{car.model}}{{(' (%s)' % car.year) if car.year else ''}}</h2>
    <p class="meta">{{car.plate or 'No plate'}}{{(' · ' + car.colour) if car.colour else ''}}{{(' · %s km' % format(car.mileage, ',')) if car.mileage is not None else ''}}</p>
    <p><a href="/cars/{{car.id}}">Edit<span class="sr-only"> {{car.make}} {{car.model}}</span></a>
      · <a href="/cars/{{car.id}}/remove">Remove<span class="sr-only"> {{car.make}} {{car.model}}</span></a></p>
  </li>
% end
</ul>
% else:
<p>You have no car registered yet.</p>
% end
<p><a class="button primary" href="/cars/new">Add a car</a></p>
